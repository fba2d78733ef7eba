import { relativeTime } from '../format';

/** A time still to come, relative to now: "in 5 min", "in 23 h"; a past one reads like relativeTime. */
export function untilTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (seconds <= 0) return relativeTime(iso, now);
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}

export const fullTime = (iso: string) => new Date(iso).toLocaleString();
