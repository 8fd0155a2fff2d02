export { type LeaderChange, NONVOTER, type ServerInfo, VOTER } from './election.js'
export { ConductorRefusedError, NotLeaderError } from './errors.js'
export { type ConductorConfig, conductorOptions, conductorSpec, parseNode } from './options.js'
export { type ConductorStandin, startConductorStandin } from './start.js'
