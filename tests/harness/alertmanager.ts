/**
 * Alertmanager (Debian's /usr/bin/prometheus-alertmanager) with the caller's alertmanager.yml as given, checked
 * with amtool first. Clustering is off (`--cluster.listen-address=`), so it opens only its loopback web port.
 */
import { startPrometheusStyle } from './prometheus';
import type { ServiceHandle, ServiceOptions } from './process';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
export const AMTOOL_BIN = '/usr/bin/amtool';

/** startTimeoutMs @default 60000 */
export interface AlertmanagerOptions extends ServiceOptions {
  /** alertmanager.yml text, used verbatim. */
  config: string;
}

export function startAlertmanager(options: AlertmanagerOptions): Promise<ServiceHandle> {
  return startPrometheusStyle({
    name: 'alertmanager',
    command: ALERTMANAGER_BIN,
    options,
    check: (configFile) => [AMTOOL_BIN, 'check-config', configFile],
    storageFlag: '--storage.path',
    flags: ['--cluster.listen-address='],
  });
}
