// jest.node-plane.config.js: the test sidecars of this run use the node data plane (test/helpers/sidecar.ts).
process.env.PLUMBLINE_TEST_DATA_PLANE = 'node';
