// Flows by destination country: how much money left accounts for each country, per currency?
// The destination is the country the bank recorded for the payment, else the receiving
// account's country; "unknown" when neither is known. Cash is not included (no destination
// account). Amounts are in minor units (øre, cents).
//
// Parameters:
//   home_country  ISO country code of the investigation; other destinations are marked abroad
//
// :param home_country => 'NO';
MATCH (sender:Account)-[:PERFORMS]->(t:Transaction)-[:BENEFITS_TO]->(receiver:Account)
WITH coalesce(t.to_country, receiver.country, 'unknown') AS country, t.currency AS currency,
     count(t) AS transactions, sum(t.amount_minor) AS total_minor,
     count(DISTINCT sender) AS senders, count(DISTINCT receiver) AS receivers
RETURN country, currency, transactions, total_minor, senders, receivers,
       country <> $home_country AS abroad
ORDER BY total_minor DESC, country, currency;
