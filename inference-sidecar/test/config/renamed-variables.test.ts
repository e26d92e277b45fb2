// PLUMBLINE_ELASTICSEARCH_URL / PLUMBLINE_KAFKA_BROKERS (and --elasticsearch-url / --kafka-brokers) are the names
// the exporter reads too; the sidecar's old names keep working with a one-line deprecation warning.
import { resolveConfig } from '../../src/config';

const upstream = 'http://127.0.0.1:8081';

it('reads the shared names for its sinks', () => {
  const warnings: string[] = [];
  const config = resolveConfig(
    { upstream },
    { PLUMBLINE_ELASTICSEARCH_URL: 'http://127.0.0.1:9200', PLUMBLINE_KAFKA_BROKERS: 'a:9092, b:9092' },
    (line) => warnings.push(line),
  );
  expect(config.sinks.elasticsearch).toEqual({ url: 'http://127.0.0.1:9200' });
  expect(config.sinks.kafka).toEqual({ brokers: ['a:9092', 'b:9092'] });
  expect(warnings).toEqual([]);
});

it('keeps the old variable and flag names working, with a warning naming the new one', () => {
  const warnings: string[] = [];
  const config = resolveConfig(
    { upstream, elasticsearch: 'http://127.0.0.1:9201' },
    { PLUMBLINE_KAFKA: 'a:9092' },
    (line) => warnings.push(line),
  );
  expect(config.sinks.elasticsearch?.url).toBe('http://127.0.0.1:9201');
  expect(config.sinks.kafka?.brokers).toEqual(['a:9092']);
  expect(warnings).toEqual([
    'plumbline: PLUMBLINE_KAFKA is deprecated, use PLUMBLINE_KAFKA_BROKERS',
    'plumbline: --elasticsearch is deprecated, use --elasticsearch-url',
  ]);
});

it('lets the new name win when both are given', () => {
  const config = resolveConfig(
    { upstream, kafka: 'old:1', kafkaBrokers: 'new:1' },
    { PLUMBLINE_ELASTICSEARCH: 'http://old:9200', PLUMBLINE_ELASTICSEARCH_URL: 'http://new:9200' },
    () => undefined,
  );
  expect(config.sinks.kafka?.brokers).toEqual(['new:1']);
  expect(config.sinks.elasticsearch?.url).toBe('http://new:9200');
});
