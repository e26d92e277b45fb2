import type { SidecarConfig } from './config';

/** Where requests go: the upstream's origin and its path prefix ('' for none). */
export function upstreamTarget(config: SidecarConfig): { origin: string; basePath: string } {
  const upstream = new URL(config.upstream);
  return {
    origin: upstream.origin,
    basePath: upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, ''),
  };
}
