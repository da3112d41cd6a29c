// A company's role network: who holds (or held) roles in the company — manager, chair, board
// member, owner — and in which other companies those same people hold roles.
// One row per role holder and other company (other_* empty when they have none).
//
// Parameters:
//   company      the company's party_id or organisation number (required)
//
// :param company => '999000001';
MATCH (c:Company)
WHERE c.party_id = $company OR c.org_number = $company
MATCH (holder:Party)-[role:ROLE]->(c)
OPTIONAL MATCH (holder)-[other_role:ROLE]->(other:Company)
WHERE other <> c
RETURN c.name AS company, holder.party_id AS holder_id, holder.name AS holder,
       role.role AS role, role.resigned AS resigned,
       other.name AS other_company, other.org_number AS other_org_number,
       other_role.role AS other_role, other_role.resigned AS other_resigned
ORDER BY holder, role, other_company, other_role;
