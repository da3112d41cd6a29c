// Everything flagged about an entity: the findings that concern an account, party, address or
// identifier — and, for a person or company, the accounts they hold — with the role the pattern
// suggests, the score and the evidence transactions with their source file and row.
//
// Parameters:
//   id           account_id, party_id, address_id or identifier_id ("ident-…") (required)
//
// :param id => '15030000001';
OPTIONAL MATCH (:Party {party_id: $id})-[:HOLDS]->(held:Account)
WITH collect(DISTINCT held) AS held
OPTIONAL MATCH (account:Account {account_id: $id})
OPTIONAL MATCH (party:Party {party_id: $id})
OPTIONAL MATCH (address:Address {address_id: $id})
OPTIONAL MATCH (identifier:Identifier {identifier_id: $id})
UNWIND [x IN [account, party, address, identifier] WHERE x IS NOT NULL | {e: x, via: 'itself'}]
     + [h IN held | {e: h, via: 'held account'}] AS target
WITH target.e AS e, target.via AS via
MATCH (f:Finding)-[c:CONCERNS]->(e)
RETURN f.finding_id AS finding_id, f.detector AS detector, f.score AS score,
       f.summary AS summary, c.role AS role, via,
       coalesce(e.account_id, e.party_id, e.address_id, e.identifier_id) AS subject,
       f.run_id AS run_id,
       COLLECT {
         MATCH (f)-[:EVIDENCE]->(t:Transaction)
         OPTIONAL MATCH (a:Account)-[:PERFORMS]->(t)
         OPTIONAL MATCH (t)-[:BENEFITS_TO]->(b:Account)
         RETURN {txn_id: t.txn_id, date: toString(t.booking_date), amount_minor: t.amount_minor,
                 currency: t.currency, from: a.account_id, to: b.account_id,
                 source_file: t.source_file, source_locator: t.source_locator} AS evidence
         ORDER BY evidence.date, evidence.txn_id
       } AS evidence
ORDER BY score DESC, finding_id, subject;
