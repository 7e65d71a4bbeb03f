/**
 * Timing limits that more than one part of the project must agree on.
 *
 * Every function's Lambda timeout: above the worst case of its DynamoDB calls (lib/dynamo.ts: ~3.3 s per
 * call when every try hangs; login makes 3 in sequence, plus bcrypt), below API Gateway's 30 s
 * integration limit, so a stuck call ends as the function's own clean 500.
 */
export const FUNCTION_TIMEOUT_SECONDS = 15;
