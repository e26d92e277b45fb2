/**
 * The sinks' credential and CA files, read once on the main thread at start-up. The capture thread builds the sinks
 * (and reads the files again); without this, a missing or empty file ended that thread with a bare "the capture
 * thread exited (code 1)". Now it stops start-up as SIDECAR_ERR_CONFIG naming the key (exit 2).
 */
import {
  elasticsearchClientSettings,
  ElasticsearchConnectionError,
  kafkaClientSettings,
  KafkaConnectionError,
} from '@plumbline/service-kit';
import type { SidecarConfig } from '../config';
import { configError } from '../errors';

export function checkSinkCredentials(config: SidecarConfig): void {
  try {
    if (config.sinks.elasticsearch)
      elasticsearchClientSettings(config.sinks.elasticsearch, 'sinks.elasticsearch');
    if (config.sinks.kafka) kafkaClientSettings(config.sinks.kafka, 'sinks.kafka');
  } catch (err) {
    if (err instanceof ElasticsearchConnectionError || err instanceof KafkaConnectionError) {
      throw configError(err.key ?? 'sinks', err.problem, err);
    }
    throw err;
  }
}
