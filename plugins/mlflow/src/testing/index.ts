export { startMlflowServer, findVenvMlflow, freePort, VENV_MISSING_MESSAGE, type MlflowTestServer, type StartMlflowServerOptions } from './mlflow-server.js';
