/** @jest-environment @plumbline/harness/onnx-test-environment */
// Loading models: metadata is optional, checked against the graph, and every problem names the flag or key.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelLoadError } from './errors';
import { loadModel } from './model';
import { SHIPPED_MODEL } from './shipped-model';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'plumbline-model-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(options: Parameters<typeof loadModel>[0]): Promise<ModelLoadError> {
  const err = await loadModel(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelLoadError);
  expect((err as ModelLoadError).exitCode).toBe(2);
  return err as ModelLoadError;
}

it('loads the shipped model with its metadata', async () => {
  const model = await loadModel({ modelPath: SHIPPED_MODEL.modelPath });
  expect(model).toMatchObject({
    name: 'iris',
    version: '1',
    numFeatures: 4,
    features: ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'],
    classes: ['setosa', 'versicolor', 'virginica'],
    input: { name: 'input', datatype: 'FP32', shape: [-1, 4] },
  });
  await model.release();
});

it('without metadata: names the model after its file and returns INT64 class indices', async () => {
  const file = path.join(dir, 'flowers.onnx');
  copyFileSync(SHIPPED_MODEL.modelPath, file);
  const model = await loadModel({ modelPath: file, version: '3' });
  expect(model).toMatchObject({ name: 'flowers', version: '3', features: null, classes: null });
  expect(model.outputs).toEqual([
    { name: 'label', datatype: 'INT64', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
  ]);
  // A clear setosa (index 0) and a clear virginica (index 2).
  const [label] = await model.predict(Float64Array.from([5.1, 3.5, 1.4, 0.2, 7.7, 3.0, 6.1, 2.3]), 2, [
    'label',
  ]);
  expect(label).toEqual({ name: 'label', datatype: 'INT64', shape: [2], data: [0, 2] });
  await model.release();
});

it('names --model when the file is missing or not ONNX', async () => {
  expect((await loadError({ modelPath: path.join(dir, 'nope.onnx') })).message).toMatch(
    /^--model: no such file/,
  );
  const junk = path.join(dir, 'junk.onnx');
  writeFileSync(junk, 'not a model');
  expect((await loadError({ modelPath: junk })).message).toMatch(/^--model: onnxruntime cannot load/);
});

it('names the metadata key that does not fit the model', async () => {
  const file = path.join(dir, 'm.onnx');
  copyFileSync(SHIPPED_MODEL.modelPath, file);
  const meta = path.join(dir, 'metadata.json');
  writeFileSync(meta, JSON.stringify({ features: ['a', 'b'] }));
  expect((await loadError({ modelPath: file })).message).toContain(
    '"features" lists 2 names but the model takes 4',
  );
  writeFileSync(meta, JSON.stringify({ classes: ['x', 'y'] }));
  expect((await loadError({ modelPath: file })).message).toContain('"classes" lists 2 names');
  writeFileSync(meta, JSON.stringify({ outputs: { label: 'output_label' } }));
  expect((await loadError({ modelPath: file })).message).toContain(
    '"outputs.label": the model has no output',
  );
  writeFileSync(meta, '{ not json');
  expect((await loadError({ modelPath: file })).message).toContain('cannot read model metadata');
  expect((await loadError({ modelPath: file, metadataPath: path.join(dir, 'x.json') })).message).toMatch(
    /^--metadata: no such file/,
  );
});
