from csoundpy import *
import queue
import time
import threading

csound = Csound()
csound.setOption('-+rtaudio=null -odac -d')
csound.compileOrc(r'''
sr = 48000
nchnls = 2
ksmps = 64
0dbfs = 1
''')

thread = csound.performanceThread()
thread.play()

# Create an empty table of 100 elements, let csound assign a number
thread.compileOrc('gi__tab1 ftgen 1, 0, 1024, -10, 1')

# Get a pointer to the table
q = queue.SimpleQueue()
def func(csound, q=q):
    tabnum = int(csound.evalCode('return gi__tab1'))
    q.put((tabnum, csound.table(tabnum)))

t0 = time.time()
thread.requestCallback(func)

# This blocks until the callback has been called
tabnum, tabarr = q.get()

t1 = time.time()
print(f'elapsed time: {(t1 - t0) * 1000:.3f} ms')
print(f'table shape: {tabarr.shape}', tabarr)
