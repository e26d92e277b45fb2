// See jest.config.js: starting a sidecar in a hook may take longer than 5 s on a loaded machine.
jest.setTimeout(30_000);
