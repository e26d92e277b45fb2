/**
 * A batch the broker does not answer is sent at most once per try of the pipeline's retry policy, then handed
 * back: kafkajs does not retry inside those tries. Regression: the sink's producer was idempotent, with
 * kafkajs' default retries for that (Number.MAX_SAFE_INTEGER, on top of the pipeline's 3 tries), so kafkajs
 * re-sent a timed-out Produce request inside the pipeline's first try: here 3 Produce requests instead of 1,
 * until kafkajs' own reconnect failed; with a broker that keeps answering a retriable error, without any bound.
 *
 * The failure is real: the harness' broker (its own instance) is stopped with SIGSTOP after the sink connected,
 * so its Produce requests time out (retriable). Counted: the sink's write calls (a counting decorator between
 * the retry decorator and the sink, as in the pipeline) and the Produce requests kafkajs sent (its
 * instrumentation events on the sink's producers).
 */
import { Kafka, type Producer, type ProducerConfig } from 'kafkajs';
import { startKafka, type KafkaHandle } from '@plumbline/harness';
import { createKafkaSink } from '../../src/sinks/kafka';
import type { Sink, SinkRecord } from '../../src/sinks/sink';
import { withRetry } from '../../src/pipeline/retry';
import { createStopper } from '../../src/pipeline/stopper';
import { makeEvent } from './helpers';

jest.setTimeout(300_000);

describe('Kafka sink when the broker stops answering', () => {
  let kafka: KafkaHandle;
  /** Produce requests the sink's producers sent that were answered or timed out. */
  let produceRequests = 0;

  beforeAll(async () => {
    kafka = await startKafka();
    const realProducer = Kafka.prototype.producer;
    jest.spyOn(Kafka.prototype, 'producer').mockImplementation(function (
      this: Kafka,
      config?: ProducerConfig,
    ) {
      const producer: Producer = realProducer.call(this, config);
      const count = ({ payload }: { payload: { apiName: string } }): void => {
        if (payload.apiName === 'Produce') produceRequests++;
      };
      producer.on(producer.events.REQUEST, count);
      producer.on(producer.events.REQUEST_TIMEOUT, count);
      return producer;
    });
  }, 300_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await kafka?.stop();
  });

  it('sends the batch at most once per try of the pipeline policy (3 by default), then hands it back', async () => {
    const sink = createKafkaSink({
      brokers: kafka.brokers,
      inferenceTopic: 'stalled.inference',
      feedbackTopic: 'stalled.feedback',
      requestTimeoutMs: 1000,
      connectionTimeoutMs: 1000,
    });
    let writes = 0;
    const counting: Sink = {
      name: sink.name,
      write: (records) => {
        writes++;
        return sink.write(records);
      },
      close: () => sink.close(),
    };
    // The pipeline's default policy (createPipeline passes `options.retry ?? {}`), with short waits.
    const retrying = withRetry(counting, { initialDelayMs: 20, maxDelayMs: 50 }, createStopper());
    const record = (i: number): SinkRecord => ({ kind: 'inference', event: makeEvent(i) });

    // Connected, topics created, producer up: the broker answers.
    expect((await retrying.write([record(1)])).retry).toEqual([]);
    expect(produceRequests).toBe(1);
    writes = 0;
    produceRequests = 0;

    process.kill(-kafka.pgid, 'SIGSTOP');
    try {
      const result = await Promise.race([
        retrying.write([record(2)]),
        new Promise<never>((_resolve, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `no answer after 30 s; ${writes} tries, ${produceRequests} Produce requests so far`,
                ),
              ),
            30_000,
          ),
        ),
      ]);
      expect(result.retry).toEqual([record(2)]);
      expect(writes).toBe(3);
      // The first try sends the batch once; the producer is then rebuilt, and the next tries fail to connect.
      expect(produceRequests).toBe(1);
    } finally {
      process.kill(-kafka.pgid, 'SIGCONT');
      await sink.close();
    }
  });
});
