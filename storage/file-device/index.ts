/**
 * The file device: a block device over a host file (4 KiB pages, fdatasync
 * at the persist barrier), with a sector-level crash model. Also the host
 * file access, the in-memory device image and counters, and the crash-image
 * helpers the pmem device shares.
 */
export { FileDevice, openFileDevice } from './file-device.js';
export { ImageDevice } from './image-device.js';
export {
  fileDeviceSizeBytesDefault,
  fileDeviceSizeBytesMax,
  filePageBytes,
  fileSectorBytes,
  type FileDeviceOptions,
} from './file-device-options.js';
export { tornCutBytesEnumerated } from './sector-tracker.js';
export { BackingFile } from './backing-file.js';
export { checkCombinationCount, checkCrashImageOptions, combinations } from './crash-choices.js';
export { BackedImage, DeviceCounters, DeviceImage, pageInChunkBytes, type BackedImageOptions, type DeviceImageOptions } from './device-image.js';
