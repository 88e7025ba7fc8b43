"""Seed walkthrough 002 ("Metadata Store", an MLMD user guide), run on graphstore.

The code is the guide's, cell by cell, with one change: the import line. Left out: the
install steps and the SQLite / MySQL snippets, whose connection values are "..." in the
guide. The guide's ``**RUNNING**`` (not Python) is written as the string it stands for.

    python examples/mlmd_walkthrough_002.py
"""
# ruff: noqa: I001, UP032 - the seed's code as written, imports in its order

from graphstore.mlmd import metadata_store  # was: from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

# Fake Database
connection_config = metadata_store_pb2.ConnectionConfig()
connection_config.fake_database.SetInParent() # Sets an empty fake database proto.
store = metadata_store.MetadataStore(connection_config)

# 1. Register Artifact types
data_type = metadata_store_pb2.ArtifactType()
data_type.name = "DataSet"
data_type.properties["day"] = metadata_store_pb2.INT
data_type.properties["split"] = metadata_store_pb2.STRING
data_type_id = store.put_artifact_type(data_type)

model_type = metadata_store_pb2.ArtifactType()
model_type.name = "SavedModel"
model_type.properties["version"] = metadata_store_pb2.INT
model_type.properties["name"] = metadata_store_pb2.STRING
model_type_id = store.put_artifact_type(model_type)

artifact_types = store.get_artifact_types()
print(artifact_types)

# 2. Register execution types
trainer_type = metadata_store_pb2.ExecutionType()
trainer_type.name = "Trainer"
trainer_type.properties["state"] = metadata_store_pb2.STRING
trainer_type_id = store.put_execution_type(trainer_type)

[registered_type] = store.get_execution_types_by_id([trainer_type_id])
print(registered_type)

# 3. Create dataset artifact
data_artifact = metadata_store_pb2.Artifact()
data_artifact.uri = 'path/to/data'
data_artifact.properties["day"].int_value = 1
data_artifact.properties["split"].string_value = 'train'

data_artifact.type_id = data_type_id
[data_artifact_id] = store.put_artifacts([data_artifact])

artifacts = store.get_artifacts()
print(artifacts)

[stored_data_artifact] = store.get_artifacts_by_id([data_artifact_id])
artifacts_with_uri = store.get_artifacts_by_uri(data_artifact.uri)
artifacts_with_conditions = store.get_artifacts(
    list_options=metadata_store.ListOptions(
        filter_query='uri LIKE "%/data" AND properties.day.int_value > 0'))

# 4. Create execution for trainer
trainer_run = metadata_store_pb2.Execution()

trainer_run.type_id = trainer_type_id

trainer_run.properties["state"].string_value = "RUNNING"
[run_id] = store.put_executions([trainer_run])

executions = store.get_executions_by_id([run_id])
print(executions)

executions_with_conditions = store.get_executions(
    list_options = metadata_store.ListOptions(
        filter_query='type = "Trainer" AND properties.state.string_value IS NOT NULL'))

# 5. Read Dataset and record input event
input_event = metadata_store_pb2.Event()
input_event.type = metadata_store_pb2.Event.DECLARED_INPUT

input_event.artifact_id = data_artifact_id

input_event.execution_id = run_id

store.put_events([input_event])

# 6. Train model and create saved model artifact
model_artifact = metadata_store_pb2.Artifact()
model_artifact.uri = 'path/to/model/file'
model_artifact.properties["version"].int_value = 1
model_artifact.properties["name"].string_value = 'MNIST-v1'
model_artifact.type_id = model_type_id
[model_artifact_id] = store.put_artifacts([model_artifact])

# 7. Write saved model and record output event
output_event = metadata_store_pb2.Event()
output_event.type = metadata_store_pb2.Event.DECLARED_OUTPUT

output_event.artifact_id = model_artifact_id

output_event.execution_id = run_id

store.put_events([output_event])

# 8. Mark execution completed
trainer_run.id = run_id
trainer_run.properties["state"].string_value = "COMPLETED"
store.put_executions([trainer_run])

# 9. Annote the experiment with a context
experiment_type = metadata_store_pb2.ContextType()
experiment_type.name = "Experiment"
experiment_type.properties["note"] = metadata_store_pb2.STRING
experiment_type_id = store.put_context_type(experiment_type)

my_experiment = metadata_store_pb2.Context()
my_experiment.type_id = experiment_type_id
my_experiment.name = "exp1"
my_experiment.properties["note"].string_value = "My first experiment."
[experiment_id] = store.put_contexts([my_experiment])

attribution = metadata_store_pb2.Attribution()
attribution.artifact_id = model_artifact_id
attribution.context_id = experiment_id

association = metadata_store_pb2.Association()
association.execution_id = run_id
association.context_id = experiment_id

store.put_attributions_and_associations([attribution], [association])

experiment_artifacts = store.get_artifacts_by_context(experiment_id)
experiment_executions = store.get_executions_by_context(experiment_id)
print(experiment_artifacts)
print(experiment_executions)

experiment_artifacts_with_conditions = store.get_artifacts(
    list_options = metadata_store.ListOptions(
        filter_query=('contexts_a.type = "Experiment" AND contexts_a.name = "exp1"')))
experiment_executions_with_conditions = store.get_executions(
    list_options = metadata_store.ListOptions(
        filter_query=('contexts_a.id = {}'.format(experiment_id))))
print(artifacts_with_conditions, executions_with_conditions)
print(experiment_artifacts_with_conditions, experiment_executions_with_conditions)
