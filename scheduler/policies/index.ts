/**
 * Scheduling policies: the `Policy` contract, the registry, and the helpers
 * a new policy is written with (decision builder, fair-share arithmetic,
 * admission prediction).
 */
export * from './policy.js';
export * from './registry.js';
export { DecisionBuilder, placementStrategies, type PlacementStrategy, type SlotPlan } from './decision-builder.js';
export { contentionIntegralAt, contentionMean, fairShare, idealAfter, type IdealFluid, jainIndex, remainingAt, tenantRho } from './fair-share.js';
export { predictAdmission, admissionLookaheadMax, type AdmissionModel } from './admission.js';
export { emptyDecision, fillInOrder, decideInOrder, nothingToDecide } from './first-fit.js';
export { lasQueue } from './las.js';
export { themisFill, rhoRankCap } from './themis.js';
export { isAdmitted } from './deadline-fair.js';
