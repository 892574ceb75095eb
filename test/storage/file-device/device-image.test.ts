import { describe, expect, it } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import { DeviceImage } from '../../../storage/file-device/index.js';

describe('DeviceImage', () => {
  it('grows keeping contents and state, with new bytes zero', () => {
    const image = new DeviceImage({ sizeBytes: 4096, unitShift: 6, stateBytes: 1, sizeBytesMax: 1 << 24, location: 'test image' });
    image.buffer.fill(7, 0, 4096);
    image.state.fill(3);
    image.grow(1 << 20);
    expect(image.size).toBe(1 << 20);
    expect(image.buffer.length).toBe(1 << 20);
    expect(image.state.length).toBe((1 << 20) / 64);
    expect(image.buffer[4095]).toBe(7);
    expect(image.buffer[4096]).toBe(0);
    expect(image.buffer[(1 << 20) - 1]).toBe(0);
    expect(image.state[63]).toBe(3);
    expect(image.state[64]).toBe(0);
  });

  it('refuses to grow past its largest size with LIMIT, and accepts exactly that size', () => {
    const image = new DeviceImage({ sizeBytes: 4096, unitShift: 12, stateBytes: 2, sizeBytesMax: 1 << 16, location: 'test image' });
    expect(() => image.grow((1 << 16) + 4096)).toThrow(FairdbError);
    expect(() => new DeviceImage({ sizeBytes: (1 << 16) + 4096, unitShift: 12, stateBytes: 2, sizeBytesMax: 1 << 16, location: 'test image' })).toThrow(FairdbError);
    image.grow(1 << 16);
    expect(image.size).toBe(1 << 16);
    expect(image.state.length).toBe(32);
  });
});
