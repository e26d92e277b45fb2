import { decodeRecord, encodeRecord, RECORD_HEADER_BYTES } from '../src/record-format';

describe('spool record format', () => {
  const payload = Buffer.from(JSON.stringify({ kind: 'inference', event: { a: 1 } }));

  it('round-trips a payload and reports the offset after it', () => {
    const data = Buffer.concat([encodeRecord(payload), encodeRecord(Buffer.from('x'))]);
    const first = decodeRecord(data, 0);
    expect(first).toEqual({ kind: 'record', payload, next: RECORD_HEADER_BYTES + payload.length });
    const second = decodeRecord(data, (first as { next: number }).next);
    expect(second.kind === 'record' && second.payload.toString()).toBe('x');
  });

  it('says incomplete for every cut of a record (a torn write)', () => {
    const record = encodeRecord(payload);
    for (let cut = 0; cut < record.length; cut++) {
      expect(decodeRecord(record.subarray(0, cut), 0).kind).toBe('incomplete');
    }
  });

  it('says corrupt when any payload byte or the checksum is flipped', () => {
    const record = encodeRecord(payload);
    for (let i = 6; i < record.length; i++) {
      const bad = Buffer.from(record);
      bad[i] ^= 0x01;
      expect(decodeRecord(bad, 0)).toEqual({ kind: 'corrupt', reason: 'checksum mismatch' });
    }
  });

  it('says corrupt on a wrong magic or a zero length (zero-filled tail)', () => {
    expect(decodeRecord(Buffer.alloc(32), 0)).toEqual({ kind: 'corrupt', reason: 'bad magic' });
    const zeroLength = encodeRecord(payload);
    zeroLength.writeUInt32LE(0, 2);
    expect(decodeRecord(zeroLength, 0)).toEqual({ kind: 'corrupt', reason: 'bad length 0' });
  });
});
