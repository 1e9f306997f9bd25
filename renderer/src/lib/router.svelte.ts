/** Hash routing: `#/runs`, `#/runs/12`, `#/settings`. */
import { parseHash, type Route } from './routes.js';

class Router {
  route = $state<Route>(parseHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseHash(window.location.hash);
    });
  }
}

export const router = new Router();
