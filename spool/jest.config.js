module.exports = require('../jest.preset')('spool');
