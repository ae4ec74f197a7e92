"""The browser course: the lessons in JupyterLite, served with Pyodide from the site itself."""
