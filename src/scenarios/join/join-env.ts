import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { Checkout } from '../../kubespray/checkout.js'
import type { Provider } from '../../providers/provider.js'
import type { RunAnsible } from '../run-ansible.js'

/** What the join tiers are given by the run: the control planes and the scenarios share it. */
export interface JoinEnv {
  readonly config: Config
  readonly host: HostContext
  readonly provider: () => Promise<Provider>
  /** On a GitHub runner (`ansible: auto` then installs kubespray's requirements into a virtualenv). */
  readonly onRunner: boolean
  /** The kubespray tree to run (the checkout, or `kubespray-ref` of it), resolved once per run. */
  readonly kubespray: () => Promise<Checkout>
  readonly ansible: RunAnsible
}
