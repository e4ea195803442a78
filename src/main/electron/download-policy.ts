/**
 * Downloads are blocked in the app, with one exception: the Security key screen's text file,
 * which the renderer creates as a `blob:` URL of our own page. Outside kiosk mode such a download
 * goes through a save dialog; everything else (and everything in kiosk mode) is refused, so a
 * stray or hostile download never writes to a shared workstation's disk.
 */
import { originOf } from './security-policy';

export type DownloadDecision = 'save-dialog' | 'block';

export function downloadDecision(download: { url: string; mimeType: string }, trustedOrigin: string, options: { kiosk: boolean }): DownloadDecision {
  if (options.kiosk) return 'block';
  if (!download.url.startsWith('blob:')) return 'block';
  if (originOf(download.url.slice('blob:'.length)) !== trustedOrigin) return 'block';
  return download.mimeType === 'text/plain' ? 'save-dialog' : 'block';
}
