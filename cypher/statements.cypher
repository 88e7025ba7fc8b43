// The fixed statements graphstore runs on Neo4j, one per `// name:` block.
// {Label}, {TypeLabel} and {REL} are filled in by graphstore.compile.cypher through its single
// quoting function; every value is a $parameter.

// name: init_bookkeeping
// Sequences and the schema marker exist before any write, so writers only ever MATCH them.
UNWIND $sequences AS name
MERGE (s:GraphstoreSequence {name: name})
  ON CREATE SET s.value = 0
WITH count(*) AS created
MERGE (m:GraphstoreSchema {name: 'graphstore'})
  ON CREATE SET m.version = $version
SET m.ddl = CASE WHEN m.version = $version THEN $ddl ELSE m.ddl END
RETURN m.version AS version;

// name: schema_marker
// Opening a store skips the DDL when the marker says this exact schema.cypher already ran.
OPTIONAL MATCH (m:GraphstoreSchema {name: 'graphstore'})
RETURN m.version AS version, m.ddl AS ddl;

// name: allocate_ids
// The SET write-locks the sequence node until commit: concurrent writers queue here, so
// ids are unique, increasing in commit order and never reused. $counts holds [name, count]
// pairs sorted by name, so writers lock sequences in one order and cannot deadlock; one
// statement serves every kind a write needs.
UNWIND $counts AS c
MATCH (s:GraphstoreSequence {name: c[0]})
SET s.value = s.value + c[1]
RETURN s.name AS name, s.value AS value;

// name: get_types
MATCH (t:{TypeLabel})
WHERE ($ids IS NULL OR t.id IN $ids)
  AND ($keys IS NULL OR [t.name, t.version] IN $keys)
  AND ($names IS NULL OR t.name IN $names)
  AND ($external_ids IS NULL OR t.external_id IN $external_ids)
  AND ($namespace IS NULL OR t.namespace = $namespace)
RETURN t {.*} AS t
ORDER BY t.id;

// name: get_types_many
// Several get_types queries (one per $queries entry, any kinds) in one round trip.
UNWIND $queries AS q
MATCH (t:Type)
WHERE t.kind = q.kind
  AND (q.ids IS NULL OR t.id IN q.ids)
  AND (q.keys IS NULL OR [t.name, t.version] IN q.keys)
  AND (q.names IS NULL OR t.name IN q.names)
  AND (q.external_ids IS NULL OR t.external_id IN q.external_ids)
  AND (q.namespace IS NULL OR t.namespace = q.namespace)
RETURN q.index AS query, t {.*} AS t
ORDER BY query, t.id;

// name: insert_type
CREATE (t:Type:{TypeLabel})
SET t = $props;

// name: update_type
MATCH (t:{TypeLabel} {id: $id})
SET t = $props;

// name: insert_nodes
// {Labels} is the kind label plus the type name (Browser colours by it); the type label is
// left out when the name collides with one of graphstore's own labels. One statement per
// type in a batch: static labels plan and run faster than dynamic ones.
UNWIND $rows AS row
CREATE (n:{Labels})
SET n = row.props;

// name: insert_linked_nodes
// insert_nodes, and each new node linked to every context in $contexts ({REL}: attribution
// or association). The nodes are new, so CREATE (no MERGE test against existing links), and
// the contexts are looked up once, not per row.
MATCH (c:Context)
WHERE c.id IN $contexts
WITH collect(c) AS contexts
UNWIND $rows AS row
CREATE (n:{Labels})
SET n = row.props
FOREACH (c IN contexts | CREATE (n)-[:{REL}]->(c));

// name: update_nodes
// The input fingerprint is bookkeeping kept by set_input_fingerprints, and the namespace
// never changes: both survive the update.
UNWIND $rows AS row
MATCH (n:{Label} {id: row.id})
WITH n, row, n.input_fingerprint AS fingerprint, n.namespace AS namespace
SET n = row.props
SET n.input_fingerprint = fingerprint, n.namespace = namespace;

// name: set_input_fingerprints
// "Same inputs before" finds executions by (type_id, input_fingerprint): an index seek.
UNWIND $pairs AS pair
MATCH (n:Execution {id: pair[0]})
SET n.input_fingerprint = pair[1];

// name: delete_nodes
MATCH (n:{Label})
WHERE n.id IN $ids
DETACH DELETE n
RETURN count(*) AS deleted;

// name: existing_ids
MATCH (n:{Label})
WHERE n.id IN $ids
  AND ($scope IS NULL OR n.type_id IN $scope)
RETURN collect(n.id) AS ids;

// name: insert_input_events
// Events point the way data flows and their relationship type is the event kind: input
// kinds artifact -> execution, output kinds execution -> artifact. One statement per kind.
UNWIND $rows AS row
MATCH (a:Artifact {id: row.artifact_id})
MATCH (e:Execution {id: row.execution_id})
CREATE (a)-[r:{REL}]->(e)
SET r.id = row.id, r.path = row.path, r.milliseconds_since_epoch = row.time;

// name: insert_output_events
UNWIND $rows AS row
MATCH (a:Artifact {id: row.artifact_id})
MATCH (e:Execution {id: row.execution_id})
CREATE (e)-[r:{REL}]->(a)
SET r.id = row.id, r.path = row.path, r.milliseconds_since_epoch = row.time;

// name: get_events_by_artifacts
// One record of [artifact, execution, kind, path, time] lists: a Bolt record per event costs
// the driver far more than a list item (50,000 rows: ~3 s against ~1 s).
MATCH (a:Artifact)
WHERE a.id IN $ids
MATCH (a)-[r]-(e:Execution)
WITH a, e, r ORDER BY r.id
RETURN collect([a.id, e.id, type(r), r.path, r.milliseconds_since_epoch]) AS events;

// name: get_events_by_executions
MATCH (e:Execution)
WHERE e.id IN $ids
MATCH (a:Artifact)-[r]-(e)
WITH a, e, r ORDER BY r.id
RETURN collect([a.id, e.id, type(r), r.path, r.milliseconds_since_epoch]) AS events;

// name: link
UNWIND $pairs AS pair
MATCH (s:{Label} {id: pair[0]})
MATCH (t:Context {id: pair[1]})
MERGE (s)-[:{REL}]->(t);

// name: ancestors
MATCH (c:Context)
WHERE c.id IN $ids
MATCH (c)-[:CHILD_OF]->*(p:Context)
RETURN DISTINCT p.id AS id;


// name: declared_properties
// Each kind's declared property keys and the PropertyType numbers types give them (the index
// keys of decision 40 are backfilled when a store made before opens).
MATCH (t:Type)
UNWIND keys(t) AS key
WITH t, key WHERE key STARTS WITH 'properties.'
RETURN t.kind AS kind, key, collect(DISTINCT t[key]) AS types;

// name: backfill_index_keys
// Runs in its own auto-commit transaction (IN TRANSACTIONS): a store may be large. left()
// counts characters as Python's slicing does (graphstore.compile.cypher.index_key).
MATCH (n:{Label}) WHERE n[$key] IS NOT NULL AND n[$shadow] IS NULL
CALL (n) {
  SET n[$shadow] = CASE WHEN n[$key] IS :: STRING THEN left(n[$key], $chars) ELSE n[$key] END
} IN TRANSACTIONS OF 10000 ROWS;

// name: backfill_node_namespaces
// Nodes made before external ids were per namespace get their type's namespace (the
// composite uniqueness constraint does not hold a node lacking it); the type is found
// through the Type.id constraint's index. Its own auto-commit transaction (IN
// TRANSACTIONS): a store may be large.
MATCH (n:{Label}) WHERE n.namespace IS NULL
CALL (n) {
  OPTIONAL MATCH (t:Type {id: n.type_id})
  SET n.namespace = coalesce(t.namespace, '')
} IN TRANSACTIONS OF 10000 ROWS;

// name: range_indexes_on
SHOW RANGE INDEXES YIELD name, labelsOrTypes, properties
WHERE labelsOrTypes = [$label] AND properties = [$key]
RETURN name;
