// Jest environment for tests that run onnxruntime-node in-process.
//
// Jest runs each test file in its own VM context with its own typed-array constructors, while onnxruntime-node's
// native binding returns outputs built in Node's main context; onnxruntime-common then rejects them
// (`A int64 tensor's data must be type of function BigInt64Array()`). This environment hands the test context the
// main context's typed-array constructors, so both sides agree. Production code is unaffected.
//
// Use it with a docblock at the top of a test file (resolved through @plumbline/harness's exports map):
//   /** @jest-environment @plumbline/harness/onnx-test-environment */
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxTestEnvironment;
