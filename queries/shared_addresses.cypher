// Persons and companies sharing an address: which addresses are registered for several
// parties — many people at one dwelling, or a company "at" a private flat?
//
// Parameters:
//   min_parties  smallest number of distinct parties at one address to list it
//
// :param min_parties => 2;
MATCH (p:Party)-[:REGISTERED_AT]->(a:Address)
WITH a, count(DISTINCT p) AS n_parties
WHERE n_parties >= $min_parties
RETURN a.address_id AS address_id,
       coalesce(a.street, '') + ', ' + coalesce(a.postcode, '') + ' ' + coalesce(a.city, '') AS address,
       n_parties AS parties,
       COUNT { MATCH (p:Person)-[:REGISTERED_AT]->(a) RETURN DISTINCT p } AS persons,
       COUNT { MATCH (c:Company)-[:REGISTERED_AT]->(a) RETURN DISTINCT c } AS companies,
       COLLECT {
         MATCH (p:Party)-[r:REGISTERED_AT]->(a)
         RETURN p.name + ' (' + coalesce(p.kind, 'unknown') + CASE WHEN r.kind = '' THEN '' ELSE ', ' + r.kind END + ')' AS who
         ORDER BY who
       } AS registered
ORDER BY parties DESC, address_id;
