// graphstore schema for Neo4j 5.26+ (Community). Every statement is idempotent; the store
// runs them one by one (schema and data cannot share a transaction) each time it opens.
// Community has no existence or property-type constraints: graphstore enforces those itself.

// -- types -------------------------------------------------------------------------------
CREATE CONSTRAINT graphstore_type_id IF NOT EXISTS
FOR (t:Type) REQUIRE t.id IS UNIQUE;
// Types carry their namespace ('' is the default one): type names and external ids are
// unique within a namespace. Stores made before namespaces get every type in the default
// one (a node lacking a key is outside a composite constraint, so none may lack it).
MATCH (t:Type) WHERE t.namespace IS NULL SET t.namespace = '';
DROP CONSTRAINT graphstore_type_key IF EXISTS;
DROP CONSTRAINT graphstore_type_external_id IF EXISTS;
CREATE CONSTRAINT graphstore_type_namespace_key IF NOT EXISTS
FOR (t:Type) REQUIRE (t.namespace, t.kind, t.name, t.version) IS UNIQUE;
CREATE CONSTRAINT graphstore_type_namespace_external_id IF NOT EXISTS
FOR (t:Type) REQUIRE (t.namespace, t.kind, t.external_id) IS UNIQUE;

// -- nodes -------------------------------------------------------------------------------
// A node's external id is unique within its namespace (decision 66): a node carries its
// namespace (the engine gives nodes made before their type's before these run), and a
// range index on the external id alone serves lookups and filters by it.

// -- artifacts ---------------------------------------------------------------------------
CREATE CONSTRAINT graphstore_artifact_id IF NOT EXISTS
FOR (n:Artifact) REQUIRE n.id IS UNIQUE;
DROP CONSTRAINT graphstore_artifact_external_id IF EXISTS;
CREATE CONSTRAINT graphstore_artifact_namespace_external_id IF NOT EXISTS
FOR (n:Artifact) REQUIRE (n.namespace, n.external_id) IS UNIQUE;
CREATE RANGE INDEX graphstore_artifact_external_id_lookup IF NOT EXISTS
FOR (n:Artifact) ON (n.external_id);
CREATE CONSTRAINT graphstore_artifact_type_name IF NOT EXISTS
FOR (n:Artifact) REQUIRE (n.type_id, n.name) IS UNIQUE;
CREATE RANGE INDEX graphstore_artifact_type IF NOT EXISTS FOR (n:Artifact) ON (n.type);
CREATE RANGE INDEX graphstore_artifact_name IF NOT EXISTS FOR (n:Artifact) ON (n.name);
// uris are indexed by a bounded prefix (decision 40); stores made before drop the old index
DROP INDEX graphstore_artifact_uri IF EXISTS;
CREATE RANGE INDEX graphstore_artifact_uri_key IF NOT EXISTS FOR (n:Artifact) ON (n.`_key.uri`);
CREATE RANGE INDEX graphstore_artifact_state IF NOT EXISTS FOR (n:Artifact) ON (n.state);
CREATE RANGE INDEX graphstore_artifact_create_time IF NOT EXISTS
FOR (n:Artifact) ON (n.create_time_since_epoch);
CREATE RANGE INDEX graphstore_artifact_update_time IF NOT EXISTS
FOR (n:Artifact) ON (n.last_update_time_since_epoch);

// -- executions --------------------------------------------------------------------------
CREATE CONSTRAINT graphstore_execution_id IF NOT EXISTS
FOR (n:Execution) REQUIRE n.id IS UNIQUE;
DROP CONSTRAINT graphstore_execution_external_id IF EXISTS;
CREATE CONSTRAINT graphstore_execution_namespace_external_id IF NOT EXISTS
FOR (n:Execution) REQUIRE (n.namespace, n.external_id) IS UNIQUE;
CREATE RANGE INDEX graphstore_execution_external_id_lookup IF NOT EXISTS
FOR (n:Execution) ON (n.external_id);
CREATE CONSTRAINT graphstore_execution_type_name IF NOT EXISTS
FOR (n:Execution) REQUIRE (n.type_id, n.name) IS UNIQUE;
CREATE RANGE INDEX graphstore_execution_type IF NOT EXISTS FOR (n:Execution) ON (n.type);
CREATE RANGE INDEX graphstore_execution_name IF NOT EXISTS FOR (n:Execution) ON (n.name);
CREATE RANGE INDEX graphstore_execution_state IF NOT EXISTS
FOR (n:Execution) ON (n.last_known_state);
CREATE RANGE INDEX graphstore_execution_create_time IF NOT EXISTS
FOR (n:Execution) ON (n.create_time_since_epoch);
CREATE RANGE INDEX graphstore_execution_update_time IF NOT EXISTS
FOR (n:Execution) ON (n.last_update_time_since_epoch);
CREATE RANGE INDEX graphstore_execution_input_fingerprint IF NOT EXISTS
FOR (n:Execution) ON (n.type_id, n.input_fingerprint);

// -- contexts ----------------------------------------------------------------------------
CREATE CONSTRAINT graphstore_context_id IF NOT EXISTS
FOR (n:Context) REQUIRE n.id IS UNIQUE;
DROP CONSTRAINT graphstore_context_external_id IF EXISTS;
CREATE CONSTRAINT graphstore_context_namespace_external_id IF NOT EXISTS
FOR (n:Context) REQUIRE (n.namespace, n.external_id) IS UNIQUE;
CREATE RANGE INDEX graphstore_context_external_id_lookup IF NOT EXISTS
FOR (n:Context) ON (n.external_id);
CREATE CONSTRAINT graphstore_context_type_name IF NOT EXISTS
FOR (n:Context) REQUIRE (n.type_id, n.name) IS UNIQUE;
CREATE RANGE INDEX graphstore_context_type IF NOT EXISTS FOR (n:Context) ON (n.type);
CREATE RANGE INDEX graphstore_context_name IF NOT EXISTS FOR (n:Context) ON (n.name);
CREATE RANGE INDEX graphstore_context_create_time IF NOT EXISTS
FOR (n:Context) ON (n.create_time_since_epoch);
CREATE RANGE INDEX graphstore_context_update_time IF NOT EXISTS
FOR (n:Context) ON (n.last_update_time_since_epoch);

// -- bookkeeping -------------------------------------------------------------------------
CREATE CONSTRAINT graphstore_sequence_name IF NOT EXISTS
FOR (s:GraphstoreSequence) REQUIRE s.name IS UNIQUE;
CREATE CONSTRAINT graphstore_schema_name IF NOT EXISTS
FOR (m:GraphstoreSchema) REQUIRE m.name IS UNIQUE;
