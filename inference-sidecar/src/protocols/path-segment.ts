/** A percent-encoded URL path segment (a model name or version), decoded; as it is when its encoding is broken. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
