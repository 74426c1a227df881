// The bridge's type, for code on the Electron side. Types only: importing it pulls in nothing.
// The definition lives in renderer/src/host/bridge.ts so that the renderer can compile against it.
export type { NetwrightBridge, BridgeMethod, BridgeInvoke, BridgeSubscription, OpenFileOptions } from '../../renderer/src/host/bridge';
