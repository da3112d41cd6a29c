// finflow graph schema: uniqueness constraints and indexes.
// Applied by `finflow neo4j load` (finflow.neo4j.load.apply_schema) before any data is written, so
// every MERGE below is an index look-up. Every statement is idempotent (IF [NOT] EXISTS) and runs on
// Neo4j Community 5.26 without plugins. See docs/graph-model.md for the model.

// Content-derived keys: one node per canonical record.
CREATE CONSTRAINT transaction_txn_id IF NOT EXISTS FOR (n:Transaction) REQUIRE n.txn_id IS UNIQUE;
CREATE CONSTRAINT account_account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT party_party_id IF NOT EXISTS FOR (n:Party) REQUIRE n.party_id IS UNIQUE;
CREATE CONSTRAINT address_address_id IF NOT EXISTS FOR (n:Address) REQUIRE n.address_id IS UNIQUE;
CREATE CONSTRAINT identifier_identifier_id IF NOT EXISTS FOR (n:Identifier) REQUIRE n.identifier_id IS UNIQUE;
CREATE CONSTRAINT lease_lease_id IF NOT EXISTS FOR (n:Lease) REQUIRE n.lease_id IS UNIQUE;
CREATE CONSTRAINT country_code IF NOT EXISTS FOR (n:Country) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT reject_reject_id IF NOT EXISTS FOR (n:Reject) REQUIRE n.reject_id IS UNIQUE;
CREATE CONSTRAINT statement_statement_id IF NOT EXISTS FOR (n:Statement) REQUIRE n.statement_id IS UNIQUE;
CREATE CONSTRAINT sighting_sighting_id IF NOT EXISTS FOR (n:Sighting) REQUIRE n.sighting_id IS UNIQUE;
CREATE CONSTRAINT finding_finding_id IF NOT EXISTS FOR (n:Finding) REQUIRE n.finding_id IS UNIQUE;

// Look-ups analysts make by value. Free text is never indexed itself: Neo4j refuses a value of
// more than about 8 KB, and one hostile 200,000-character name would fail every load. Names,
// identifier values and normalised addresses are indexed through a key of at most 200
// characters beside the full text: Party.name_key (the name normalised: NFKC, lower case, no
// punctuation), Identifier.value_key, Address.normalized_key. Look a name up with
// `MATCH (p:Party) WHERE p.name_key STARTS WITH 'kari nordmann'`.
CREATE INDEX transaction_booking_date IF NOT EXISTS FOR (n:Transaction) ON (n.booking_date);
CREATE INDEX transaction_channel IF NOT EXISTS FOR (n:Transaction) ON (n.channel);
CREATE INDEX party_org_number IF NOT EXISTS FOR (n:Party) ON (n.org_number);
DROP INDEX party_name IF EXISTS;
DROP INDEX identifier_value IF EXISTS;
DROP INDEX address_normalized IF EXISTS;
CREATE INDEX party_name_key IF NOT EXISTS FOR (n:Party) ON (n.name_key);
CREATE INDEX identifier_value_key IF NOT EXISTS FOR (n:Identifier) ON (n.value_key);
CREATE INDEX address_normalized_key IF NOT EXISTS FOR (n:Address) ON (n.normalized_key);
CREATE INDEX finding_run_id IF NOT EXISTS FOR (n:Finding) ON (n.run_id);
CREATE INDEX finding_detector IF NOT EXISTS FOR (n:Finding) ON (n.detector);
