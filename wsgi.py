import gc

from app import create_app

app = create_app()
# What start-up built (modules, the app, its routes) lives as long as the process: keep it out
# of the collector's full passes, which otherwise walk all of it (about 130,000 objects, 55-65
# ms here, once every few hundred case pages) and now walk only what came after (about 3 ms).
gc.freeze()
