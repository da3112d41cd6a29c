// Persons paying rent for more than one premises: who rents several dwellings at once, as
// someone housing other people might? Lists each such person with the premises, landlords and
// agreed rents (leases), and what the person's accounts actually paid those landlords.
// Amounts are per currency, in minor units (øre, cents): one {currency, minor} entry each, never
// one sum over currencies.
//
// Parameters:
//   min_premises  smallest number of distinct premises a person rents to be listed
//
// :param min_premises => 2;
MATCH (p:Person)-[:TENANT_OF]->(l:Lease)-[:FOR_PREMISES]->(premises:Address)
WITH p, count(DISTINCT premises) AS n_premises, count(l) AS leases
WHERE n_premises >= $min_premises
WITH p, n_premises, leases,
     COLLECT {
       MATCH (p)-[:HOLDS]->(:Account)-[:PERFORMS]->(t:Transaction)-[:BENEFITS_TO]->(:Account)
             <-[:HOLDS]-(:Party)-[:LANDLORD_OF]->(:Lease)<-[:TENANT_OF]-(p)
       WITH DISTINCT t
       RETURN t
     } AS payments
RETURN p.party_id AS party_id, p.name AS name, n_premises AS premises, leases,
       COLLECT {
         MATCH (p)-[:TENANT_OF]->(:Lease)-[:FOR_PREMISES]->(a:Address)
         WITH DISTINCT a
         RETURN coalesce(a.street, '') + ', ' + coalesce(a.postcode, '') + ' ' + coalesce(a.city, '') AS text
         ORDER BY text
       } AS addresses,
       COLLECT {
         MATCH (p)-[:TENANT_OF]->(:Lease)<-[:LANDLORD_OF]-(ll:Party)
         WITH DISTINCT ll
         RETURN ll.name AS landlord ORDER BY landlord
       } AS landlords,
       COLLECT {
         MATCH (p)-[:TENANT_OF]->(lease:Lease)
         WHERE lease.rent_minor IS NOT NULL
         WITH DISTINCT lease
         WITH coalesce(lease.currency, 'unknown') AS currency, sum(lease.rent_minor) AS minor
         ORDER BY currency
         RETURN {currency: currency, minor: minor} AS rent
       } AS agreed_rent,
       size(payments) AS payments_to_landlords,
       COLLECT {
         UNWIND payments AS t
         WITH t.currency AS currency, sum(t.amount_minor) AS minor
         ORDER BY currency
         RETURN {currency: currency, minor: minor} AS paid
       } AS paid_to_landlords
ORDER BY premises DESC, name, party_id;
