// JSON errors of the enqueue API: { code, message } with an HTTP status.
import type { ErrorRequestHandler, Response } from 'express';
import { logger } from '../shared/logger.ts';
import { summarizeProblems } from '../shared/problemSummary.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: string[]) {
    super(message);
  }
}

/** `details` are bounded like every problem list (at most MAX_REPORTED_PROBLEMS, and their count). */
export function sendError(res: Response, status: number, code: string, message: string, details?: string[]): void {
  if (!details) {
    res.status(status).json({ code, message });
    return;
  }
  const summary = summarizeProblems(details);
  res.status(status).json({ code, message, details: summary.shown, ...(summary.total > summary.shown.length ? { detailCount: summary.total } : {}) });
}

/** Turns thrown errors (ours, body-parser's, anything else) into JSON errors. */
export const jsonErrors: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof ApiError) return sendError(res, err.status, err.code, err.message, err.details);
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    const limit = (err as { limit?: number }).limit;
    return sendError(res, 413, 'payload_too_large', `the body is larger than the limit (${limit} bytes)`);
  }
  if (type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, 415, 'unsupported_encoding', (err as Error).message);
  logger().error({ err, path: req.path }, 'API request failed');
  sendError(res, 500, 'internal', 'internal error (see the API log)');
};
