"""The application: command line, configuration and baselines. The only layer that imports reports/."""
