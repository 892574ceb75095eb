/**
 * The emulated persistent-memory device (Intel Optane DC, App Direct and
 * Memory Mode): byte-addressable, persistent only through flush + fence,
 * 8-byte failure atomicity, XPLine write accounting, a latency model, and a
 * crash model that enumerates or samples what a power failure could leave.
 */
export { PmemDevice, openPmemDevice, pmemLineBytes, pmemWordBytes, pmemXplineBytes } from './pmem-device.js';
export {
  pmemSizeBytesDefault,
  pmemSizeBytesMax,
  pmemSizeGranuleBytes,
  type PmemDeviceOptions,
  type PmemMode,
} from './pmem-options.js';
export {
  dimmsMax,
  dramLatency,
  latencyPresets,
  noLatency,
  optaneLatency,
  type LatencyModel,
  type LatencyPreset,
} from './latency-model.js';
export { delayDebtNsMin } from './delay-injector.js';
export { crashValuesPerWordMax } from './crash-tracker.js';
