// Top collector accounts: which accounts receive money from many different sources — other
// accounts and cash deposits — as a controller's collection (funnel) account would?
// Counts are per account; totals are per currency, in minor units (øre, cents).
//
// Parameters:
//   min_sources  smallest number of distinct sending accounts plus cash deposits to list
//   limit        how many accounts to return
//
// :param min_sources => 2;
// :param limit => 25;
MATCH (t:Transaction)-[:BENEFITS_TO]->(a:Account)
OPTIONAL MATCH (sender:Account)-[:PERFORMS]->(t)
WITH a, t.currency AS currency,
     count(DISTINCT sender) AS senders,
     count(CASE WHEN t.channel = 'cash_deposit' THEN 1 END) AS cash_deposits,
     count(t) AS credits,
     sum(t.amount_minor) AS total_in_minor
WHERE senders + cash_deposits >= $min_sources
OPTIONAL MATCH (holder:Party)-[:HOLDS]->(a)
RETURN a.account_id AS account_id,
       coalesce(holder.name, a.holder_name) AS holder,
       currency, senders, cash_deposits, credits, total_in_minor
ORDER BY senders + cash_deposits DESC, total_in_minor DESC, account_id
LIMIT $limit;
