/** The push connection's state for the status bar, and a counter that ticks on every reconnect. */
import type { ConnectionState } from './client.js';
import { handle } from './api.js';

class ConnectionStore {
  state = $state<ConnectionState>(handle.connectionState());
  /** Increments each time pushes flow again after a drop: views re-fetch what they may have missed. */
  reconnects = $state(0);
  readonly transport = handle.client.transport;

  constructor() {
    handle.onConnectionChange((state, reconnected) => {
      this.state = state;
      if (reconnected) this.reconnects += 1;
    });
  }
}

export const connection = new ConnectionStore();
