from csoundpy import *
import queue
import time

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

# Create a sine table, let csound assign a number
csound.compileOrc('gi__tab1 ftgen 0, 0, 1024, -10, 1')

t0 = time.time()
tabnum = csound.evalCode('return gi__tab1')
tabarr = csound.table(int(tabnum))
t1 = time.time()
print(f'{tabnum=}, elapsed time: {(t1 - t0) * 1000:.3f} ms')
print(f'table shape: {tabarr.shape}', tabarr)
