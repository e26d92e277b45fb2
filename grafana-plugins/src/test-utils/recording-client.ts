/** A PlumblineClient that answers from given functions and records calls (component tests only). */
import type { RetrainResponse, RetrainStatus } from '@plumbline/exporter/retrain-types';
import type { PlumblineClient } from '../api/plumbline-client';

export interface RecordingClient extends PlumblineClient {
  triggers: Array<Parameters<PlumblineClient['triggerRetrain']>[0]>;
  gets: string[];
}

export function recordingClient(answers: {
  status?: (model: string) => Promise<RetrainStatus>;
  trigger?: (input: Parameters<PlumblineClient['triggerRetrain']>[0]) => Promise<RetrainResponse>;
  get?: (path: string) => Promise<unknown>;
}): RecordingClient {
  const triggers: RecordingClient['triggers'] = [];
  const gets: string[] = [];
  return {
    triggers,
    gets,
    retrainStatus: (model) => (answers.status ?? (() => Promise.reject(new Error('no status'))))(model),
    triggerRetrain: (input) => {
      triggers.push(input);
      return (answers.trigger ?? (() => Promise.reject(new Error('no trigger'))))(input);
    },
    exporterGet: (path) => {
      gets.push(path);
      return (answers.get ?? (() => Promise.reject(new Error('no get'))))(path);
    },
  };
}
