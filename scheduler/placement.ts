/**
 * Placement slowdown: how much slower a job runs when its slots span
 * machines or racks. A job with placement sensitivity `p` runs at full speed
 * on one machine, `p` times slower when its slots span machines of one
 * rack, and `1 + 2 (p - 1)` times slower when they span racks (crossing the
 * rack network costs twice what crossing machines does). Its progress rate
 * on `k` slots is `k / slowdown` slot-seconds per second.
 */
import type { Cluster, SlotId } from './model.js';

/** Cost of spanning racks relative to spanning machines (see the file comment). */
export const rackSpreadPenaltyFactor = 2;

/** The slowdown factor of a job of sensitivity `sensitivity` on `slots`. */
export function placementSlowdown(cluster: Cluster, slots: readonly SlotId[] | readonly number[], sensitivity: number): number {
  if (sensitivity === 1 || slots.length <= 1) return 1;
  const perMachine = cluster.slotsPerMachine;
  const firstMachine = Math.floor((slots[0] as number) / perMachine);
  let spansMachines = false;
  for (let i = 1; i < slots.length; i++) {
    const machine = Math.floor((slots[i] as number) / perMachine);
    if (machine === firstMachine) continue;
    spansMachines = true;
    if (Math.floor(machine / cluster.machinesPerRack) !== Math.floor(firstMachine / cluster.machinesPerRack)) {
      return 1 + rackSpreadPenaltyFactor * (sensitivity - 1);
    }
  }
  return spansMachines ? sensitivity : 1;
}

/** The progress rate, in slot-seconds per second, of a job on `slots`. */
export function progressRate(cluster: Cluster, slots: readonly SlotId[] | readonly number[], sensitivity: number): number {
  return slots.length / placementSlowdown(cluster, slots, sensitivity);
}
