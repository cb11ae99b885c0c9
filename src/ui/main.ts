// The page's entry point.
import './style.css';
import { App } from './app.js';

const app = new App();
app.start().catch((error: unknown) => {
  document.body.dataset.state = 'error';
  const notice = document.getElementById('notice');
  if (notice) {
    notice.hidden = false;
    notice.className = 'notice error';
    notice.textContent = `The page failed to start: ${error instanceof Error ? error.message : String(error)}`;
  }
});
