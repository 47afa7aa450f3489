import csoundpy as libcsound
import time

cs = libcsound.Csound()

# Modify as needed
# cs.setOption('-odac')
cs.setOption('-+rtaudio=null -odac -B512 -b256')

cs.compileOrc(r'''
sr     = 48000
ksmps  = 64
nchnls = 2
0dbfs  = 1

instr 1
  ipitch = p4
  asig = poscil(0.8, mtof(ipitch))
  outch 1, asig * linsegr:a(1, 0.2, 0.2, 0.1, 0)
endin
''')

# We create the performance thread with a process queue
thread = cs.performanceThread()
thread.setProcessQueue()
thread.play()

# When using a performance thread it is possible to both output to dac and
# record the audio at the same time
thread.record('with-queue.flac', samplebits=24, numbufs=1)

thread.scoreEvent(0, 'i', (1, 0, 0.5, 72))

# Compilation always happens within one cycle. By performing the compilation within the
# process callback we ensure that the new instrument is ready to be scheduled by the
# performance thread right away. The previous scheduled event (instr 1) and the
# scheduled event after the compilation (instr 10) should be in sync

thread.processQueueTask(lambda cs: cs.compileOrc(r'''
instr 10
  ifreq = p4
  outch 2, vco2:a(0.6, ifreq) * linsegr:a(1, 0.2, 0.2, 0.1, 0)
endin
'''))

thread.scoreEvent(0, 'i', (10, 0, 0.5, 600))

time.sleep(1)
thread.stopRecord()
cs.stop()

# The sndfileio/waveplot cell, with soundfile (matplotlib optional)
import soundfile
samples, sr = soundfile.read("with-queue.flac")
try:
    fig = libcsound._util.waveplot(samples, sr)
except ImportError:
    print("matplotlib is not installed: no plot")
