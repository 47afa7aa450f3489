import csoundpy as libcsound

cs = libcsound.Csound()

# Change as needed
# cs.setOption('-odac')
cs.setOption('-+rtaudio=null -odac' )

# Disable printing whenever a new event is scheduled
cs.setOption('-m128')

# The orchestra
cs.compileOrc(r'''
sr = 48000
nchnls = 2
ksmps = 64
0dbfs = 1

instr 1
  iamp = p4
  ipitch = p5
  iattack = p6
  irelease = p7
  a0 = oscili(iamp, mtof(ipitch)) + oscili(iamp, mtof(ipitch+0.12))
  outall a0 * linsegr:a(0, iattack, 1, iattack*2, 0.2, irelease, 0)
endin
''')

thread = cs.performanceThread()
thread.play()

import random
import time

scale = [0, 2, 4, 5, 7, 9, 11]
pitches = [60 + 12 * octave + step for octave in [0, 1, 2] for step in scale]
chords = [(2, 4, 7), (4, 5), (2, 7, 11), (0, 5, 9), (9, 11), (0, 2), (0, 4, 7)]
chord = random.choice(chords)

def getparams(pitch, chord):
    if pitch % 12 in chord:
        dur = random.uniform(1.5, 2.5)
        amp = random.uniform(0.04, 0.2)
        att = random.uniform(0.01, 0.1)
        rel = random.uniform(0.4, 0.8)
    else:
        dur = random.uniform(0.1, 0.2)
        amp = random.uniform(0.04, 0.08)
        att = 0.01
        rel = 0.3
    return dur, amp, att, rel

sr = cs.sr()
t0 = tchord = tstart = cs.currentTimeSamples() / sr

# Record output to be able to embed it in the notebook
thread.record("threading-example1.wav", 16, 4)

while True:
    t = cs.currentTimeSamples() / sr
    # Break after 30 seconds
    if t - tstart > 30:
        break
    if t - t0 > 1/8.:
        pitch = random.choice(pitches)
        dur, amp, att, rel = getparams(pitch, chord)
        thread.scoreEvent(False, 'i', (1, 0, dur, amp, random.choice(pitches), att, rel))
        t0 = t
        time.sleep(1/16.)
        if t - tchord > 8:
            chord = random.choice(chords)
            tchord = t
    else:
        time.sleep(1/64.)

thread.stopRecord()
