import { mount } from 'svelte';
import './app.css';
import './app-parts.css';
import App from './App.svelte';
import { jobKinds } from './lib/job-kinds.svelte.js';
import { jobs } from './lib/jobs.svelte.js';
import { system } from './lib/system.svelte.js';

jobs.start();
void system.load();
void jobKinds.load();

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');

export default mount(App, { target });
