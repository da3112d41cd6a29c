// Case overview: how many of each kind of thing the graph holds, so you know what you are
// looking at before you dig (people, companies, accounts, transactions and how money moved).
//
// Parameters: none.
MATCH (n:Person) RETURN 'persons' AS item, count(n) AS count
UNION ALL
MATCH (n:Company) RETURN 'companies' AS item, count(n) AS count
UNION ALL
MATCH (n:Account) RETURN 'accounts' AS item, count(n) AS count
UNION ALL
MATCH (n:Account) WHERE n.batch_id IS NULL RETURN 'accounts only seen as counterparties' AS item, count(n) AS count
UNION ALL
MATCH (n:Transaction) RETURN 'transactions' AS item, count(n) AS count
UNION ALL
MATCH (:Account)-[:PERFORMS]->(t:Transaction)-[:BENEFITS_TO]->(:Account) RETURN 'account-to-account transfers' AS item, count(t) AS count
UNION ALL
MATCH (t:Transaction {channel: 'cash_deposit'}) RETURN 'cash deposits' AS item, count(t) AS count
UNION ALL
MATCH (t:Transaction {channel: 'cash_withdrawal'}) RETURN 'cash withdrawals' AS item, count(t) AS count
UNION ALL
MATCH (n:Address) RETURN 'addresses' AS item, count(n) AS count
UNION ALL
MATCH (n:Lease) RETURN 'leases' AS item, count(n) AS count
UNION ALL
MATCH (n:Identifier) RETURN 'identifiers (phones, e-mails, ids)' AS item, count(n) AS count
UNION ALL
MATCH (n:Country) RETURN 'countries' AS item, count(n) AS count
UNION ALL
MATCH (n:Finding) RETURN 'findings' AS item, count(n) AS count;
