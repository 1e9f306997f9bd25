/**
 * Checks a form makes on a parameter before the API sees it, zod-free (the renderer imports this module). Imports
 * nothing.
 */

/** Whether a field holds a whole number within the limits (both included); null is an empty field. */
export function intIn(value: number | null, lim: { min: number; max: number }): value is number {
  return value != null && Number.isInteger(value) && value >= lim.min && value <= lim.max;
}
