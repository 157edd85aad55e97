import type { Config } from '../../inputs/config.js'

/**
 * Kubespray's offline-mode variables: with any of them set, the user has pointed kubespray's
 * downloads at mirrors of their own (files_repo for binaries, registry_host and the *_image_repo for
 * images, or single *_download_url overrides).
 */
const MIRROR_VARIABLE = /^(files_repo|registry_host|\w+_image_repo|\w+_download_url)$/

/**
 * Why the guests cannot reach what kubespray downloads, or null when they can. Outbound networking
 * reaches the internet (runners); a restricted network reaches only the nodes themselves, which is
 * enough only when `kubespray-vars` points kubespray at mirrors there.
 */
export function downloadsUnreachable(config: Pick<Config, 'guestNetwork' | 'kubesprayVars'>): string | null {
  if (config.guestNetwork === 'outbound') return null
  if (Object.keys(config.kubesprayVars).some(k => MIRROR_VARIABLE.test(k))) return null
  return "the guests have no route to kubespray's downloads (guest-network: restricted, and kubespray-vars sets no files_repo, registry_host, *_image_repo or *_download_url mirror): set guest-network: outbound, or point kubespray-vars at mirrors the guests reach"
}
