export * from './a2a-reasons.js';
export * from './paid-agent-executor.js';
export * from './paying-agent-client.js';
export * from './payment-error-code.js';
export * from './payment-status-update.js';
export * from './task-payment.js';
export * from './x402-extension.js';
