import type { VerificationStatus } from '../../../../shared/verification'
import type { StatusBadgeProps } from '../common/StatusBadge'

/** How each checksum status reads: colour (tone), icon and words, never colour alone. */
const CHECKSUM_BADGES: Record<VerificationStatus, StatusBadgeProps> = {
  ok: { tone: 'ok', label: 'Checksums OK' },
  torn: { tone: 'warn', label: 'Torn tail' },
  corrupt: { tone: 'bad', label: 'Corrupt' },
  missing: { tone: 'bad', icon: '?', label: 'Missing' },
  verifying: { tone: 'busy', label: 'Verifying' },
  unverified: { tone: 'neutral', label: 'Not verified' },
}

/** checksumBadge gives the badge for a file's checksum status. */
export function checksumBadge(status: VerificationStatus): StatusBadgeProps {
  return CHECKSUM_BADGES[status]
}
