import { cleanup } from './post-main.js'

cleanup()
