module.exports = require('../jest.preset')('service-kit');
